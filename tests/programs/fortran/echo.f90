program main
  implicit none
  character(len=1024) :: buf
  integer :: ios, n
  do
    read (*, '(A)', advance='no', iostat=ios, size=n) buf
    if (is_iostat_end(ios)) exit
    write (*, '(A)', advance='no') buf(1:n)
    if (is_iostat_eor(ios)) write (*, '(A)') ''
  end do
end program main
