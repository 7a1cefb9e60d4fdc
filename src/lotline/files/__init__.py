"""File formats the doors and the service layer read and write (CSV/XLSX tables, label PDFs):
plain libraries with no database, so every layer may use them."""
