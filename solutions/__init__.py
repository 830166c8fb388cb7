"""The families of the bank: one module a family (`generate` and `solve` registered under the family's names);
helpers shared by several families in `solutions/common/`."""
