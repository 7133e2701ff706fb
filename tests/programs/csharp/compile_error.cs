class Program {
    static void Main() {
        int answer = "forty-two";
    }
}
