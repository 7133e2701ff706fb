-- stdin, read whole as one value: ASCII mode splits records on 0x1E only
CREATE TABLE input(data TEXT);
.mode ascii
.import /dev/stdin input
.mode list
.separator "" ""
SELECT data FROM input;
