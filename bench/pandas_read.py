"""The comparison: pandas + openpyxl reading the same workbook and summing the same totals."""
import sys
import time
import pandas as pd

path, kind = sys.argv[1], sys.argv[2]
t0 = time.perf_counter()
df = pd.read_excel(path, engine="openpyxl")
if kind == "progress":
    totals = (df["当月完成投资(万元)"].sum(), df["年初至报告期累计(万元)"].sum())
else:
    totals = (df["总投资(万元)"].sum(), df["年度计划投资(万元)"].sum())
elapsed = time.perf_counter() - t0
print(f"{len(df)} {elapsed:.3f} {totals}")
