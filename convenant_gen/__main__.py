from convenant_gen.cli import main

main()
