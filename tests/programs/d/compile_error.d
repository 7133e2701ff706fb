void main() {
    int answer = "forty-two";
}
