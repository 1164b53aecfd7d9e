"""Writes the Excel-import benchmark workbooks: N projects and 12 months of progress each.

Usage: python3 make_workbooks.py OUT_DIR [PROJECTS]. Units are the Erqi demo's (load the demo
first). Reproducible: no randomness.
"""
import sys
from openpyxl import Workbook

out, n = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 10_000
units = ["区发展改革委", "区财政局", "区住房城乡建设局", "区城市管理局", "解放路街道", "德化街街道", "马寨镇"]
categories = ["产业发展", "基础设施", "城市建设", "社会民生", "生态建设", "文化旅游"]

wb = Workbook(write_only=True)
ws = wb.create_sheet("项目")
ws.append(["项目编码", "项目名称", "项目类别", "建设性质", "建设地点", "建设内容", "总投资(万元)", "年度",
           "年度计划投资(万元)", "计划开工", "计划竣工", "责任单位", "分包领导", "责任人", "联系电话", "标签"])
for i in range(1, n + 1):
    total = 10_000 + (i * 7919) % 290_000
    ws.append([f"B{i:05d}", f"基准项目{i:05d}", categories[i % 6], "续建", "二七区", "建设内容", total, 2018,
               total // 4, "2018-01-01", "2020-12-31", units[i % 7], "区领导", "责任人", "", "亿元以上" if total >= 10_000 else ""])
wb.save(f"{out}/projects.xlsx")

wb = Workbook(write_only=True)
ws = wb.create_sheet("进度")
ws.append(["项目编码", "报告期", "当月完成投资(万元)", "年初至报告期累计(万元)", "开工至报告期累计(万元)", "形象进度", "存在问题"])
for i in range(1, n + 1):
    total = 10_000 + (i * 7919) % 290_000
    monthly = round(total / 4 / 12, 2)
    for m in range(1, 13):
        ytd = round(monthly * m, 2)
        ws.append([f"B{i:05d}", f"2018-{m:02d}", monthly, ytd, ytd, "按计划推进", ""])
wb.save(f"{out}/progress.xlsx")
