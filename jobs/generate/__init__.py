"""The synthetic corpus generator: `jobs.generate.corpus.generate_corpus` is the entry point
(its docstring maps the modules); `jobs.generate.delivery` derives a second delivery from a corpus."""
