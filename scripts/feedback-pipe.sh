#!/bin/sh
# The inbound MTA's pipe transport for the feedback function (docs/feedback.md): reads one mail on stdin and
# POSTs it, as received, to the function with the bearer token in TOKEN_FILE. Exit codes as sysexits.h,
# which Postfix's pipe(8) understands: 0 delivered; 75 (EX_TEMPFAIL) keep the mail and retry (the function
# unreachable, a 5xx, or a token it refuses: fix the client, the mail waits); 65 (EX_DATAERR) give it back
# (400, 413, 415: no retry would change the answer).
# Usage: feedback-pipe.sh URL TOKEN_FILE
set -u
url=$1
token_file=$2
status=$(curl --silent --show-error --output /dev/null --write-out '%{http_code}' --max-time 60 \
  -H "Authorization: Bearer $(cat "$token_file")" -H 'Content-Type: message/rfc822' \
  --data-binary @- "$url") || exit 75
case $status in
  2??) exit 0 ;;
  400 | 413 | 415) echo "feedback refused the mail: HTTP $status" >&2; exit 65 ;;
  *) echo "feedback answered HTTP $status; retry later" >&2; exit 75 ;;
esac
