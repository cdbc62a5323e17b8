"""The vendor gateway's pure rules: which data a case carries, and whether to engage a vendor."""
