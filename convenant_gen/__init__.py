"""convenant: regional covenants 'Sterk door werk' and plans of approach from one YAML file."""

__version__ = "0.1.0"
