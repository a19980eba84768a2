"""Personal details in what patients write: finding them (`detector`, pure Python) and hiding
them from the public (`masking`)."""
