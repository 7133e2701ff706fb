fun main() {
    generateSequence(::readLine).forEach(::println)
}
