"""The two sessions, the only code that wires config → readers → tabulator → writers (as RCTab's
``TabulatorSession``): ``rctab`` runs an RCTab contest config, ``quick`` counts CVR files with
defaults and writes its audit file. Readers, rules, engine and writers never call one another.
"""
