program main
  print '(A)', "Hello, world!"
end program main
