program main
  implicit none
  answer = 42
end program main
