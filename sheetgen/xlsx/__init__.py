"""The xlsx package, one home for what verify and mnist both need.

- `read`: stream a package's XML parts within budgets (cells, rows, bytes, text between tags);
- `package`: a package as parts edited by text (the marked copy), the shared checks every
  reader runs first (ambiguous or encrypted entries, zip-bomb budgets, Strict Open XML);
- `styles`: styles.xml added to by text (the marked copy's fills, the MNIST sheet's formats);
- `parts` + `splice`: put one worksheet into an existing workbook (the MNIST sheet).
"""
