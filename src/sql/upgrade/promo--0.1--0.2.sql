-- promo 0.1 -> 0.2. Generated with the 0.2 module sources appended by make.
\echo Use "ALTER EXTENSION promo UPDATE TO '0.2'" to load this file. \quit
