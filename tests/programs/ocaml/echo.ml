let () =
  let buf = Bytes.create 4096 in
  let rec loop () =
    let n = input stdin buf 0 4096 in
    if n > 0 then (output stdout buf 0 n; loop ())
  in
  loop ()
