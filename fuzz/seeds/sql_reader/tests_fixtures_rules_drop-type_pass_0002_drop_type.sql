-- migguard-ignore drop-type: no column ever used mood; it was created by mistake
DROP TYPE mood;
