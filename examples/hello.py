import platform
import sys

name = sys.stdin.readline().strip() or "world"
print(f"Hello, {name}! This is Python {platform.python_version()} in the sandbox.")
print(f"2 ** 100 = {2 ** 100}")
