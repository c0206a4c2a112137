# The Comment model arrives with the comment-pipeline issue.
