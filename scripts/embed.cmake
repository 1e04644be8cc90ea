# Turns the file IN into a C source OUT defining `const char SYM[]` (NUL
# terminated) and `const unsigned long SYM_len`.
file(READ ${IN} hex HEX)
string(LENGTH "${hex}" n)
math(EXPR len "${n} / 2")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," body "${hex}")
string(REGEX REPLACE "(0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,)" "\\1\n" body "${body}")
file(WRITE ${OUT} "/* generated from ${IN}; do not edit */\nconst char ${SYM}[] = {\n${body}0x00};\nconst unsigned long ${SYM}_len = ${len};\n")
