let () = print_string 42
