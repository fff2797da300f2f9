"""Coordinated public warning: one cross-border warning, drafted once, approved by each affected country."""
