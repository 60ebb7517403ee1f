"""Files the plans send (MIF, mini-MIF, TEL): merging them into the dataset."""
