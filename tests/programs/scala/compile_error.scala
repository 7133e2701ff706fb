object Main {
  def main(args: Array[String]): Unit = {
    val answer: Int = "forty-two"
    println(answer)
  }
}
