program main
  call exit(3)
end program main
