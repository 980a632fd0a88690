DROP TABLE review_posts;
DROP TABLE clarifications;
