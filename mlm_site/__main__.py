from mlm_site.cli import run

run()
