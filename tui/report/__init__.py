"""How results are shown: the one place where text that came from AWS, a file or a user meets a terminal."""
