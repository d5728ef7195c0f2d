# Fraud rate per channel of a transactions CSV (columns found by their header names).
BEGIN { FS = ","; OFS = "," }
NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
{ n[$col["channel"]]++; f[$col["channel"]] += $col["is_fraud"] }
END {
  print "channel", "transactions", "fraud_rate"
  for (c in n) printf "%s,%d,%.4f\n", c, n[c], f[c] / n[c]
}
