"""Pure tabulation: rollup (plurality), electors (apportionment, allocation), rcv (instant runoff)."""
