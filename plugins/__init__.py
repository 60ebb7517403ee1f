"""Built-in plan plugins: one module per plan, registered like any third-party plugin."""
