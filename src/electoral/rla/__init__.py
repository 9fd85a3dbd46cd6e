"""Risk-limiting audits: reproducible samples, sample sizes, measured risk and the audit record.

    sampler     Rivest's SHA-256 sampler, ballot manifests, exact PPEB draws
    contest     reported votes, ballots, winners and winner–loser pairs
    bravo       BRAVO ballot polling (Lindeman, Stark and Yates 2012)
    minerva     Minerva ballot polling, round by round (Zagórski et al. 2020)
    comparison  Kaplan–Markov / Super-Simple ballot comparison (Stark 2009, 2010)
    macro       MACRO batch comparison (Stark 2008)
    raire       RAIRE assertions that prove an IRV winner (Blom, Stuckey and Teague 2019)
    audit       plan, measure and sample as JSON-ready documents (the ``electoral rla`` keys)
    compare     every method side by side for every contest, and sample size against margin
    record      the audit record and its verification
    render      text, Markdown, CSV and JSON output

The package takes values (tallies, manifests' bytes, sampled counts, counted rankings);
``electoral.api`` wires it to stored results, files and the CVR readers of ``electoral.rcv``.
Nothing here reads a path or prints.
"""
