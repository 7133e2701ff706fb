-module(main).
-export([main/0]).

main() ->
    case io:get_line("") of
        eof -> ok;
        Line -> io:put_chars(Line), main()
    end.
