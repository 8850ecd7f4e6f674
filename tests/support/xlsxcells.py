#!/usr/bin/python3
"""Prints every cell of an .xlsx's first sheet as JSON, read by openpyxl (Debian's python3-openpyxl).

The tests check the workbooks flashsale writes with a reader the project did not write:
{"sheet": NAME, "rows": [[{"type": T, "format": F, "isDate": B, "value": V}, ...], ...]}
type is openpyxl's data_type: "s" string, "n" number, "d" a number shown as a date, "f" formula.
"""
import datetime
import json
import sys

import openpyxl


def cell_json(cell):
    value = cell.value
    if isinstance(value, (datetime.datetime, datetime.date)):
        value = value.isoformat()
    return {"type": cell.data_type, "format": cell.number_format, "isDate": bool(cell.is_date), "value": value}


def main():
    book = openpyxl.load_workbook(sys.argv[1])
    sheet = book.worksheets[0]
    rows = [[cell_json(c) for c in row] for row in sheet.iter_rows()]
    json.dump({"sheet": sheet.title, "rows": rows}, sys.stdout, ensure_ascii=False)


if __name__ == "__main__":
    main()
