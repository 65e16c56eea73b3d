from mlm_site.cli import main

main()
