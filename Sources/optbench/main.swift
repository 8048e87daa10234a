print("optbench")
