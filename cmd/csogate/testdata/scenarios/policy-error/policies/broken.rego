package csogate.custom.broken

import rego.v1

# A rule whose built-in call fails at evaluation: the gate must fail closed.
violation contains {"code": "BROKEN", "message": msg} if {
	n := to_number("not a number")
	msg := sprintf("never reached %v", [n])
}
