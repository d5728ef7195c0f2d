# Adds two features to the sales CSV: weekend (Saturday or Sunday) and log_price.
BEGIN { FS = ","; OFS = "," }
NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; print $0, "weekend", "log_price"; next }
{ print $0, ($col["day_of_week"] >= 5 ? 1 : 0), sprintf("%.4f", log($col["price"])) }
