"""Plan files: file kinds, mapping onto a layout, converting, reading and writing them."""
