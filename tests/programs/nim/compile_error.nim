let answer: int = "forty-two"
echo answer
