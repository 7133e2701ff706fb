program Main;
begin
  WriteLn('Hello, world!');
end.
