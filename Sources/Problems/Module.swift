// Problems module
