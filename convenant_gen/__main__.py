from convenant_gen.cli.app import main

main()
