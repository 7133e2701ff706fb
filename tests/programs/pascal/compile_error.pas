program Main;
begin
  WriteLn(answer);
end.
