:- initialization(main, main).

main :-
    format("Hello, world!~n").
