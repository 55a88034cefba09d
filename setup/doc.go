// Package setup holds the setup action (action.yml), which installs a
// released csogate binary on runners that cannot run the Docker action, and
// the tests of its install.sh against a fake release served locally. It has
// no Go code of its own.
package setup
