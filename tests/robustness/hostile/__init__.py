"""The hostile-input corpus: files a sales manager (or an attacker) may hand to xlsales.

``corpus.CORPUS`` lists every entry as data (name, kind, builder, expected message
fragments); ``tests/test_hostile.py`` runs each through the real command line.  Run
``python tests/hostile/generate.py OUT`` to write the whole corpus into a folder and look
at the files (bombs included: a few MB each on disk).
"""
