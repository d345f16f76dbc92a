param([string]$Configuration = 'Release')
$ErrorActionPreference = 'Stop'
$version = (Get-Content version.txt).Trim()
dotnet build src/App.sln -c $Configuration /p:Version=$version
& "${env:ProgramFiles(x86)}\Inno Setup 6\ISCC.exe" installer.iss /DVersion=$version
Get-FileHash -Algorithm SHA256 out/Setup-$version.exe | Format-List
