program Main;
{$H+}
var
  line: string;
begin
  while not Eof(Input) do
  begin
    ReadLn(line);
    WriteLn(line);
  end;
end.
