fun main() {
    val answer: Int = "forty-two"
    println(answer)
}
